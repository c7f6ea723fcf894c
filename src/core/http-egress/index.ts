// SSRF-safe outbound HTTP (issue 19): address policy, allow-list, pinned-address client.
export { AllowList, refusedRange } from './address-policy';
export type { RefusedRange } from './address-policy';
export { EgressRefusedError } from './egress-errors';
export type { EgressRefusal } from './egress-errors';
export { HttpEgress, MAX_RESPONSE_BYTES } from './http-egress';
export type { CheckedTarget, EgressRequest, EgressResponse } from './http-egress';
export { HttpEgressModule } from './http-egress.module';
