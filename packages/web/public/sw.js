// Switchboard's service worker: shows the server's web pushes and opens the conversation when
// one is clicked. A push of type "clear" means the user read the conversation elsewhere, so its
// notification goes away instead of waiting to be dismissed.
self.addEventListener('push', (event) => {
  let payload;
  try {
    payload = event.data ? event.data.json() : undefined;
  } catch {
    return;
  }
  if (!payload || typeof payload.conversation_id !== 'string') return;
  if (payload.type === 'clear') {
    event.waitUntil(
      self.registration.getNotifications({ tag: payload.conversation_id }).then((shown) => shown.forEach((n) => n.close())),
    );
    return;
  }
  event.waitUntil(
    self.registration.showNotification(payload.title, {
      body: payload.body,
      // One notification per conversation: a newer push replaces the older one.
      tag: payload.conversation_id,
      renotify: true,
      requireInteraction: payload.urgency === 'high',
      data: { url: payload.url },
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = event.notification.data && event.notification.data.url ? event.notification.data.url : '/';
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((windows) => {
      const open = windows.find((w) => new URL(w.url).origin === self.location.origin);
      if (open) return open.focus().then(() => open.navigate(url));
      return self.clients.openWindow(url);
    }),
  );
});
