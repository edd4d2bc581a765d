import { guzosyncProfile } from './guzosync/index.js';
import { morevansProfile } from './morevans/index.js';
import type { Profile } from './profile.js';
import { steppergoProfile } from './steppergo/index.js';
import { supportDeskProfile } from './support-desk/index.js';

/** Every wire profile this server speaks, registered in this order. */
export const PROFILES: readonly Profile[] = [guzosyncProfile, supportDeskProfile, steppergoProfile, morevansProfile];
