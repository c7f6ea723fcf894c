export * from './language';
export { translateDetail } from './error-messages';
