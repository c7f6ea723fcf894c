// Public surface of the imports module (CSV/XLSX import and export jobs; no tables of its own).
export { ImportsWorkerModule, ImportsModule } from './imports.module';
