import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsBoolean, IsOptional, IsUUID } from 'class-validator';

export class CreateMembershipDto {
  @ApiProperty() @IsUUID() userId: string;
  @ApiProperty({ type: [String], description: 'System roles or roles of this organization' })
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(20)
  @IsUUID(undefined, { each: true })
  roleIds: string[];
  @ApiPropertyOptional({
    default: false,
    description: 'Also grants the roles in every descendant organization',
  })
  @IsOptional()
  @IsBoolean()
  appliesToDescendants?: boolean;
  @ApiPropertyOptional({
    default: false,
    description: 'The organization the user lands in without X-Organization-Id',
  })
  @IsOptional()
  @IsBoolean()
  isDefault?: boolean;
}

export class UpdateMembershipDto {
  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(20)
  @IsUUID(undefined, { each: true })
  roleIds?: string[];
  @ApiPropertyOptional() @IsOptional() @IsBoolean() appliesToDescendants?: boolean;
}

export class MembershipRoleDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
}

export class MembershipDto {
  @ApiProperty() id: string;
  @ApiProperty() organizationId: string;
  @ApiProperty() userId: string;
  @ApiProperty() userEmail: string;
  @ApiProperty() userFullName: string;
  @ApiProperty({
    enum: ['active', 'suspended'],
    description: 'suspended: the member has no access to this organization until reactivated',
  })
  status: 'active' | 'suspended';
  @ApiProperty({ type: String, nullable: true }) suspendedAt: string | null;
  @ApiProperty({ type: [MembershipRoleDto] }) roles: MembershipRoleDto[];
  @ApiProperty() appliesToDescendants: boolean;
  @ApiProperty() isDefault: boolean;
  @ApiProperty() version: number;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
}
