/** The escalation webhook's signing key in the tests (`whsec_` and base64 of 36 bytes). */
export const WEBHOOK_TEST_SECRET = `whsec_${Buffer.from('escalation-secret-for-the-tests-0123').toString('base64')}`;
