import { passwordHasher } from '../identity/password-hasher.js';
import type { Store } from '../storage/store.js';

export const DEMO_PASSWORD = 'password123';

/**
 * People of every seed system, so each protocol can be tried at once: GuzoSync (driver1,
 * regulator1, control staff control1 and admin1), the support desk (customer1, owner1, its
 * agents agent1 and siteadmin1), StepperGO (tripdriver1, organizer1, passenger1, its admin
 * tripadmin1), MoreVans (mvcustomer1, provider1, its support mvsupport1) and the deployment's
 * operator1. The default policy keeps each system's cases to its own staff.
 */
export const DEMO_USERS = [
  { id: 'driver1', email: 'driver1@example.com', firstName: 'Dawit', lastName: 'Bekele', roles: ['BUS_DRIVER'] },
  { id: 'regulator1', email: 'regulator1@example.com', firstName: 'Rahel', lastName: 'Tesfaye', roles: ['QUEUE_REGULATOR'] },
  { id: 'control1', email: 'control1@example.com', firstName: 'Jane', lastName: 'Smith', roles: ['CONTROL_STAFF'] },
  { id: 'admin1', email: 'admin1@example.com', firstName: 'Abebe', lastName: 'Girma', roles: ['CONTROL_ADMIN'] },
  { id: 'customer1', email: 'customer1@example.com', firstName: 'Chris', lastName: 'Customer', roles: ['customer'] },
  { id: 'agent1', email: 'agent1@example.com', firstName: 'Alex', lastName: 'Agent', roles: ['support'] },
  { id: 'owner1', email: 'owner1@example.com', firstName: 'Olivia', lastName: 'Owner', roles: ['restaurant_owner'] },
  { id: 'passenger1', email: 'passenger1@example.com', firstName: 'Pat', lastName: 'Passenger', roles: ['PASSENGER'] },
  { id: 'tripdriver1', email: 'tripdriver1@example.com', firstName: 'Tom', lastName: 'Driver', roles: ['DRIVER'] },
  { id: 'organizer1', email: 'organizer1@example.com', firstName: 'Orla', lastName: 'Organizer', roles: ['ORGANIZER'] },
  { id: 'tripadmin1', email: 'tripadmin1@example.com', firstName: 'Tara', lastName: 'Trips', roles: ['STEPPERGO_ADMIN'] },
  { id: 'provider1', email: 'provider1@example.com', firstName: 'Paula', lastName: 'Provider', roles: ['provider'] },
  { id: 'mvcustomer1', email: 'mvcustomer1@example.com', firstName: 'Mia', lastName: 'Mover', roles: ['morevans_customer'] },
  { id: 'mvsupport1', email: 'mvsupport1@example.com', firstName: 'Max', lastName: 'Vans', roles: ['morevans_support'] },
  { id: 'siteadmin1', email: 'siteadmin1@example.com', firstName: 'Sam', lastName: 'Admin', roles: ['admin'] },
  { id: 'operator1', email: 'operator1@example.com', firstName: 'Ola', lastName: 'Operator', roles: ['operator'] },
] as const;

/** Seeds the demo users into an empty database; returns how many were written. */
export async function seedDemoUsers(store: Store): Promise<number> {
  if ((await store.users.count()) > 0) return 0;
  const passwordHash = await passwordHasher.hash(DEMO_PASSWORD);
  for (const u of DEMO_USERS) {
    await store.users.upsert({
      id: u.id,
      email: u.email,
      passwordHash,
      displayName: `${u.firstName} ${u.lastName}`,
      firstName: u.firstName,
      lastName: u.lastName,
      roles: u.roles,
    });
  }
  return DEMO_USERS.length;
}
