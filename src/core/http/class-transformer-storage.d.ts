// class-transformer 0.5.1 publishes its metadata storage's types under `types/` and its code under
// `cjs/`: this lets `dto-metadata-cache.ts` import the singleton the library itself uses (as
// @nestjs/mapped-types does with `require('class-transformer/cjs/storage')`).
declare module 'class-transformer/cjs/storage' {
  export { defaultMetadataStorage } from 'class-transformer/types/storage';
}
