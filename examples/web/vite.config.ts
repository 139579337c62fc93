// The invoices blade example. `pnpm dev` serves it on http://localhost:5173, the origin the gateway allows
// by default in development (CORS_ORIGINS); `pnpm preview` serves a build on the same port.
// The gateway's GraphQL URL comes from VITE_GATEWAY_URL (default http://127.0.0.1:4000/graphql).
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { demoSignIn } from './dev-server/demo-sign-in.ts';

export default defineConfig({
  plugins: [
    react(),
    // GET /dev/demo-users and /dev/token?email=: demo tokens from the gateway's own data, on the dev and
    // preview servers only. See dev-server/demo-sign-in.ts.
    demoSignIn(),
  ],
  server: { port: 5173, strictPort: true },
  preview: { port: 5173, strictPort: true },
});
