export { BaseEntity } from './base.entity';
export { buildDataSourceOptions } from './data-source-options';
export { DatabaseModule } from './database.module';
export { SnakeNamingStrategy } from './snake-naming.strategy';
export { returningRows } from './returning';
