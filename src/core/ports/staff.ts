import type { Channel, Staff } from '../types.js';

/** Staff members, one identity each. */
export interface StaffStore {
  getStaff(id: string): Promise<Staff | undefined>;
  findStaff(channel: Channel, userId: string): Promise<Staff | undefined>;
  saveStaff(staff: Staff): Promise<void>;
  listStaff(): Promise<Staff[]>;
}
