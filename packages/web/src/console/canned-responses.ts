import type { Locale } from '../i18n/i18n-provider.js';

/**
 * Replies agents use often. The server keeps no canned responses yet, so the console ships a
 * short list per locale; each is plain text put into the composer for the agent to adjust.
 */
export const CANNED_RESPONSES: Record<Locale, readonly string[]> = {
  en: [
    'Hello, thanks for reaching out. I am looking into this now.',
    'Could you share your trip or order number, please?',
    'Thank you for waiting. Here is what I found:',
    'Is there anything else I can help you with?',
    'I am closing this case now. Have a good day!',
  ],
  ru: [
    'Здравствуйте, спасибо за обращение. Я уже разбираюсь.',
    'Подскажите, пожалуйста, номер поездки или заказа.',
    'Спасибо, что подождали. Вот что я выяснил:',
    'Могу ли я помочь чем-нибудь ещё?',
    'Закрываю обращение. Хорошего дня!',
  ],
};
