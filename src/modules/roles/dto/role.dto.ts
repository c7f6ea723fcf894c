import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  Length,
} from 'class-validator';
import { TENANT_PERMISSIONS } from '../../access';
import { NormalizedName } from '../../../core/text';

export class CreateRoleDto {
  @NormalizedName() @ApiProperty({ example: 'Accountant' }) @IsString() @Length(1, 80) name: string;
  @ApiPropertyOptional({ example: 'Books and reports' })
  @IsOptional()
  @IsString()
  @Length(0, 500)
  description?: string;
  @ApiProperty({ type: [String], example: ['organizations:read'], enum: TENANT_PERMISSIONS })
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(200)
  @IsIn(TENANT_PERMISSIONS, {
    each: true,
    message: 'each permission must be one of GET /permissions',
  })
  permissions: string[];
}

export class UpdateRoleDto {
  @NormalizedName() @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 80) name?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, 500) description?: string;
  @ApiPropertyOptional({ type: [String], enum: TENANT_PERMISSIONS })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(200)
  @IsIn(TENANT_PERMISSIONS, {
    each: true,
    message: 'each permission must be one of GET /permissions',
  })
  permissions?: string[];
}

export class RoleDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty() description: string;
  @ApiProperty({
    description: 'System roles are shared by every organization and cannot be changed',
  })
  isSystem: boolean;
  @ApiProperty({ type: String, nullable: true }) organizationId: string | null;
  @ApiProperty({ type: [String] }) permissions: string[];
  @ApiProperty() version: number;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
}
