export { loadConfig, type GatewayConfig, type GatewayMode } from './config.js';
export { createGatewayApp, GRAPHQL_PATH, type GatewayApp, type GatewayAppOptions } from './app.js';
export { startGateway, type RunningGateway, type StartGatewayOptions } from './gateway.js';
export { createAuthenticator, API_KEY_HEADER, type Authenticator } from './auth.js';
export { createResources, type GatewayResources } from './services.js';
