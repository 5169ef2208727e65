export * from './api';
export * from './audio';
export * from './bridge';
export * from './deeplink';
export * from './errors';
export * from './plan';
export * from './project';
export * from './tokens';
