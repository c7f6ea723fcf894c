// Public surface of the imports module (CSV/XLSX import and export jobs; no tables of its own).
export { ImportsWorkerModule, ImportsModule } from './imports.module';
export { ImporterDefinition, ImporterRegistry, ImporterRegistryModule } from './importer-registry';
export {
  CONFLICT_MODES,
  ConflictMode,
  IMPORT_RESOURCES,
  Importer,
  ImportResource,
  LoadCounts,
  LoadedRows,
  RowError,
} from './importer';
export { actAsTenant, copyRows } from './copy';
