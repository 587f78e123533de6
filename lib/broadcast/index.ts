export { broadcastCache, type BroadcastCacheOptions, type BroadcastChannelLike } from './broadcastCache.js';
