import { DefaultNamingStrategy, NamingStrategyInterface } from 'typeorm';

const snake = (value: string): string =>
  value
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();

const tableName = (tableOrName: string | { name: string }): string =>
  (typeof tableOrName === 'string' ? tableOrName : tableOrName.name).split('.').pop() as string;

/** camelCase properties ↔ snake_case columns, so SQL reads like SQL and JSON like JSON. */
export class SnakeNamingStrategy extends DefaultNamingStrategy implements NamingStrategyInterface {
  override columnName(propertyName: string, customName: string | undefined, prefixes: string[]) {
    const prefix = prefixes.length ? snake(prefixes.join('_')) + '_' : '';
    return customName ?? prefix + snake(propertyName);
  }

  /** Explicit, predictable constraint names (`pk_users`, `fk_users_org_id`) instead of hashes. */
  override primaryKeyName(tableOrName: string | { name: string }): string {
    return `pk_${tableName(tableOrName)}`;
  }

  override foreignKeyName(tableOrName: string | { name: string }, columnNames: string[]): string {
    return `fk_${tableName(tableOrName)}_${columnNames.join('_')}`;
  }

  override relationName(propertyName: string): string {
    return snake(propertyName);
  }

  override joinColumnName(relationName: string, referencedColumnName: string): string {
    return snake(`${relationName}_${referencedColumnName}`);
  }

  override joinTableColumnName(tableName: string, propertyName: string, columnName?: string) {
    return snake(`${tableName}_${columnName ?? propertyName}`);
  }
}
