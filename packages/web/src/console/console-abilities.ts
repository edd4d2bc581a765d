/** Who may open the agent console. */
export const CONSOLE_ABILITIES = ['support.handle', 'support.monitor'] as const;
