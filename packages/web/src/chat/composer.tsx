import type { MessageJson } from '@switchboard/protocol';
import { useEffect, useId, useRef, useState, type ClipboardEvent, type FormEvent, type KeyboardEvent } from 'react';
import { useT } from '../i18n/i18n-provider.js';
import type { Uploads } from './use-uploads.js';

interface ComposerProps {
  readonly uploads: Uploads;
  readonly replyTo: MessageJson | null;
  readonly replyName: string;
  readonly editing: MessageJson | null;
  /** Text to put in the box (a canned response), with a nonce so the same text can go twice. */
  readonly insert?: { text: string; nonce: number } | undefined;
  onCancelReply(): void;
  onCancelEdit(): void;
  onTyping(): void;
  onSend(content: string, attachments: readonly string[]): void;
  onSaveEdit(message: MessageJson, content: string): void;
}

/** The message box: Enter sends, Shift+Enter breaks the line; files by button, drop or paste. */
export function Composer(props: ComposerProps) {
  const t = useT();
  const [text, setText] = useState('');
  const box = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const boxId = useId();
  const { uploads, editing } = props;

  useEffect(() => {
    if (editing) setText(editing.content);
    box.current?.focus();
  }, [editing]);
  useEffect(() => {
    if (props.replyTo) box.current?.focus();
  }, [props.replyTo]);
  useEffect(() => {
    if (!props.insert) return;
    setText((current) => (current ? `${current} ${props.insert!.text}` : props.insert!.text));
    box.current?.focus();
  }, [props.insert]);

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    const content = text.trim();
    if (editing) {
      if (content) props.onSaveEdit(editing, content);
      setText('');
      return;
    }
    if ((!content && uploads.ready.length === 0) || uploads.busy) return;
    props.onSend(content, uploads.ready);
    uploads.clear();
    setText('');
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    } else if (event.key === 'Escape' && editing) {
      setText('');
      props.onCancelEdit();
    }
  };

  const onPaste = (event: ClipboardEvent<HTMLTextAreaElement>) => {
    const files = [...event.clipboardData.files];
    if (files.length === 0) return;
    event.preventDefault();
    uploads.add(files);
  };

  return (
    <form className="composer" onSubmit={submit}>
      {props.replyTo && (
        <p className="composer-context">
          {t('chat.replyingTo', { name: props.replyName, text: props.replyTo.content.slice(0, 80) })}{' '}
          <button type="button" onClick={props.onCancelReply}>{t('chat.cancel')}</button>
        </p>
      )}
      {editing && (
        <p className="composer-context">
          {t('chat.editing')}{' '}
          <button type="button" onClick={() => { setText(''); props.onCancelEdit(); }}>{t('chat.cancel')}</button>
        </p>
      )}
      {uploads.items.length > 0 && (
        <ul className="composer-uploads">
          {uploads.items.map((item) => (
            <li key={item.key} className={item.failed ? 'failed' : undefined}>
              {item.previewUrl && <img src={item.previewUrl} alt="" />}
              <span>{item.failed ? t('chat.uploadFailed', { name: item.name }) : item.upload ? item.name : t('chat.uploading', { name: item.name, percent: item.percent })}</span>
              {!item.upload && !item.failed && <progress max={100} value={item.percent} aria-label={t('chat.uploading', { name: item.name, percent: item.percent })} />}
              <button type="button" onClick={() => uploads.remove(item.key)}>{t('chat.removeAttachment', { name: item.name })}</button>
            </li>
          ))}
        </ul>
      )}
      <div className="composer-row">
        <button type="button" onClick={() => fileInput.current?.click()} disabled={editing !== null}>{t('chat.attach')}</button>
        <input ref={fileInput} type="file" multiple hidden onChange={(e) => { if (e.target.files) uploads.add([...e.target.files]); e.target.value = ''; }} />
        <label htmlFor={boxId} className="visually-hidden">{t('chat.message')}</label>
        <textarea
          id={boxId}
          ref={box}
          rows={2}
          value={text}
          onChange={(e) => { setText(e.target.value); if (!editing) props.onTyping(); }}
          onKeyDown={onKeyDown}
          onPaste={onPaste}
        />
        <button type="submit" disabled={uploads.busy}>{editing ? t('chat.save') : t('chat.send')}</button>
      </div>
    </form>
  );
}
