import appCss from '../styles.css?inline';
import widgetCss from './widget.css?inline';
import { defineSwitchboardChat } from './switchboard-chat-element.js';

// Read while the script runs: afterwards `currentScript` is gone. The widget talks to the server it came from.
const script = document.currentScript as HTMLScriptElement | null;
const server = script?.src ? new URL(script.src).origin : window.location.origin;

defineSwitchboardChat(server, `${appCss}\n${widgetCss}`);
