import type { MessageJson } from '@switchboard/protocol';
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../api/api-provider.js';
import { useT } from '../i18n/i18n-provider.js';

type Attachment = MessageJson['attachments'][number];
const SIGNED_FOR_SECONDS = 3600;

/**
 * Upload URLs need the bearer token, which an `<img>` or a link cannot send; a signed URL
 * (`POST /v1/uploads/:id/signed-url`) can be used by either. Refreshed before it expires.
 */
function useSignedUrl(id: string, variant: 'original' | 'thumbnail', enabled: boolean): string | undefined {
  const api = useApi();
  const signed = useQuery({
    queryKey: ['signed-url', id, variant],
    enabled,
    staleTime: (SIGNED_FOR_SECONDS - 300) * 1000,
    queryFn: () => api.post<{ url: string }>(`/v1/uploads/${encodeURIComponent(id)}/signed-url`, { variant, expires_in: SIGNED_FOR_SECONDS }).then((r) => api.url(r.url)),
  });
  return signed.data;
}

/** One attachment of a message: its thumbnail when it has one, else its name, linking to the file. */
export function AttachmentLink({ attachment }: { attachment: Attachment }) {
  const t = useT();
  const href = useSignedUrl(attachment.id, 'original', true);
  const thumbnail = useSignedUrl(attachment.id, 'thumbnail', attachment.thumbnail_url !== undefined);
  const label = t('chat.attachment', { name: attachment.name });
  return (
    <a href={href} target="_blank" rel="noreferrer">
      {thumbnail ? <img src={thumbnail} alt={label} loading="lazy" /> : label}
    </a>
  );
}
