export * from './settings.js';
export * from './secret-box.js';
export * from './url-safety.js';
export * from './endpoints.js';
export * from './deliveries.js';
export { deleteWebhookDeliveriesThrough, enqueueWebhookDeliveries, type OutboxEvent } from './outbox.js';
export {
  startTestReceiver,
  type TestReceiver,
  type ReceivedRequest,
  type Answer as TestReceiverAnswer,
} from './test-receiver.js';
