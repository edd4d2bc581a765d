/** Who may open the admin screens: moderators, and user managers (who also read analytics). */
export const ADMIN_ABILITIES = ['messages.moderate', 'users.manage'] as const;
