import { useCallback, useState } from 'react';
import { useApi } from '../api/api-provider.js';
import type { UploadJson } from '../api/wire-types.js';

export interface UploadItem {
  readonly key: string;
  readonly name: string;
  readonly percent: number;
  readonly previewUrl: string | null;
  readonly upload?: UploadJson;
  readonly failed?: boolean;
}

let counter = 0;

/**
 * Files on their way to `POST /v1/uploads`, with progress. XMLHttpRequest rather than fetch:
 * only it reports upload progress in today's browsers.
 */
export function useUploads() {
  const api = useApi();
  const [items, setItems] = useState<readonly UploadItem[]>([]);
  const patch = (key: string, change: Partial<UploadItem>) => setItems((list) => list.map((i) => (i.key === key ? { ...i, ...change } : i)));

  const add = useCallback(
    (files: Iterable<File>) => {
      for (const file of files) {
        const key = `u${++counter}`;
        const previewUrl = file.type.startsWith('image/') ? URL.createObjectURL(file) : null;
        setItems((list) => [...list, { key, name: file.name, percent: 0, previewUrl }]);
        const form = new FormData();
        form.append('attachments', file, file.name);
        const xhr = new XMLHttpRequest();
        xhr.open('POST', api.url('/v1/uploads'));
        const token = api.token();
        if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
        xhr.upload.onprogress = (e) => e.lengthComputable && patch(key, { percent: Math.round((e.loaded / e.total) * 100) });
        xhr.onload = () => {
          if (xhr.status !== 201) return patch(key, { failed: true });
          const body = JSON.parse(xhr.responseText) as { uploads: UploadJson[] };
          const upload = body.uploads[0];
          patch(key, upload ? { percent: 100, upload } : { failed: true });
        };
        xhr.onerror = () => patch(key, { failed: true });
        xhr.send(form);
      }
    },
    [api],
  );

  const remove = useCallback((key: string) => setItems((list) => list.filter((i) => i.key !== key)), []);
  const clear = useCallback(() => setItems([]), []);
  const ready = items.filter((i) => i.upload).map((i) => i.upload!.id);
  const busy = items.some((i) => !i.upload && !i.failed);
  return { items, add, remove, clear, ready, busy };
}

export type Uploads = ReturnType<typeof useUploads>;
