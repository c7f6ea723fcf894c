export { RolesModule } from './roles.module';
export { RolesService } from './roles.service';
