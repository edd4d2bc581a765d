/**
 * The wire contract of Switchboard, in one place for every party that speaks it: the server
 * validates with these schemas and generates its references from them; clients type their frames
 * and errors by them.
 */
export * from './close-codes.js';
export * from './native-frames.js';
export * from './support-desk.js';
export * from './steppergo.js';
export * from './guzosync.js';
export * from './errors.js';
export * from './v1.js';
export * from './moderation.js';
export * from './analytics.js';
export * from './morevans.js';
export * from './search.js';
export * from './webhooks.js';
export * from './notifications.js';
