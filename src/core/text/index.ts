export * from './control-chars';
