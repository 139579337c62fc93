export * from './access.js';
export * from './clock.js';
export * from './errors.js';
export * from './events.js';
export * from './invoice-status.js';
export * from './money.js';
export * from './payment-processor.js';
export * from './services.js';
export * from './api-keys.js';
export * from './audit.js';
export * from './cards.js';
export * from './sandbox-processor.js';
export * from './idempotency.js';
export * from './payments.js';
export * from './reconciliation.js';
export * from './payment-methods.js';
<<<<<<< HEAD
export * from './http-processor.js';
=======
export * from './credits.js';
export * from './payment-rules.js';
>>>>>>> pay
