/** Vite's `?inline` imports hand a stylesheet over as text (the widget puts it in its shadow root). */
declare module '*.css?inline' {
  const css: string;
  export default css;
}

/** A stylesheet imported for its side effect: Vite puts it in the page. */
declare module '*.css';
