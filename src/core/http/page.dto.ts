import { Type } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

const pageClasses = new Map<Type, Type>();

/** The Swagger schema of `Page<T>` for one item DTO (`{items,total,page,size,pages,nextCursor}`). */
export function PageOf<T>(item: Type<T>): Type {
  const existing = pageClasses.get(item);
  if (existing) return existing;
  class PageDto {
    @ApiProperty({ type: [item] }) items: T[];
    @ApiProperty({ description: 'Exact number of matching rows' }) total: number;
    @ApiProperty() page: number;
    @ApiProperty() size: number;
    @ApiProperty() pages: number;
    @ApiPropertyOptional({ description: 'Cursor mode: pass as ?cursor= for the next page' })
    nextCursor?: string;
  }
  Object.defineProperty(PageDto, 'name', { value: `${item.name.replace(/Dto$/, '')}PageDto` });
  pageClasses.set(item, PageDto);
  return PageDto;
}
