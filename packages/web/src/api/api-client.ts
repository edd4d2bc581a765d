/** An error answer of the REST API, in its v1 shape `{error: {code, message}}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiClientOptions {
  /** The server's origin; the app's own in the app, the script's in the widget. */
  readonly baseUrl: string;
  readonly token: () => string | null;
}

/** REST calls with the bearer token, JSON in and out. */
export class ApiClient {
  constructor(private readonly options: ApiClientOptions) {}

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  token(): string | null {
    return this.options.token();
  }

  get<T>(path: string, query?: Record<string, string | number | boolean | undefined>): Promise<T> {
    return this.send<T>('GET', this.withQuery(path, query));
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.send<T>('POST', path, body);
  }

  put<T>(path: string, body?: unknown): Promise<T> {
    return this.send<T>('PUT', path, body);
  }

  async send<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    const token = this.options.token();
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(this.url(path), { method, headers, ...(body !== undefined && { body: JSON.stringify(body) }) });
    return readResponse<T>(response);
  }

  url(path: string): string {
    return new URL(path, this.options.baseUrl).toString();
  }

  private withQuery(path: string, query?: Record<string, string | number | boolean | undefined>): string {
    if (!query) return path;
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
    const text = params.toString();
    return text ? `${path}?${text}` : path;
  }
}

export async function readResponse<T>(response: Response): Promise<T> {
  const text = await response.text();
  const body: unknown = text === '' ? null : safeJson(text);
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(response.status, error?.code ?? 'http_error', error?.message ?? `HTTP ${response.status}`);
  }
  return body as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { error: { code: 'not_json', message: text.slice(0, 200) } };
  }
}
