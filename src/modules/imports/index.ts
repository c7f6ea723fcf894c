// Public surface of the imports module (CSV/XLSX import and export jobs; no tables of its own).
export { ImportsJobsModule, ImportsModule } from './imports.module';
