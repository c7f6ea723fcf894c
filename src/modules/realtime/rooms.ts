/** The socket.io namespace of the realtime gateway. */
export const REALTIME_NAMESPACE = '/realtime';

/** Every socket of an organization. */
export const orgRoom = (orgId: string) => `org:${orgId}`;
/** Sockets of an organization whose principal may read `type` (entity change events). */
export const readersRoom = (orgId: string, type: string) => `org:${orgId}:read:${type}`;
/** One user's sockets in one organization (notifications never cross organizations). */
export const userRoom = (orgId: string, userId: string) => `org:${orgId}:user:${userId}`;
/** Sockets that joined a chat room (participants only). */
export const chatRoom = (roomId: string) => `chat:${roomId}`;
