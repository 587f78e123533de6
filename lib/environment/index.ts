export type { EnvironmentFlag, FlagSource } from './flag.js';
export { onlineManager, createOnlineManager, browserOnlineSource } from './onlineManager.js';
export { focusManager, createFocusManager, browserFocusSource } from './focusManager.js';
