// Public surface of the addresses module: the shared postal-address DTO (no tables, no routes).
export { AddressDto } from './address.dto';
