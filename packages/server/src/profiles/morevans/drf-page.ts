import type { FastifyRequest } from 'fastify';
import { AppError } from '../../core/errors.js';

/** DRF's page-number pagination: 50 a page by default, `page_size` at most 100. */
export const DEFAULT_PAGE_SIZE = 50;

export interface PageRequest {
  readonly page: number;
  readonly size: number;
}

export function pageOf(query: { readonly page?: number | undefined; readonly page_size?: number | undefined }): PageRequest {
  return { page: query.page ?? 1, size: query.page_size ?? DEFAULT_PAGE_SIZE };
}

/** A page past the last is DRF's 404 "Invalid page." (page 1 of nothing is an empty page). */
export function checkPage({ page, size }: PageRequest, count: number): void {
  if (page > 1 && (page - 1) * size >= count) throw new AppError('not_found', 'Invalid page.');
}

/** `{count, next, previous, results}` with absolute links, as DRF writes them. */
export function drfPage(request: FastifyRequest, { page, size }: PageRequest, count: number, results: readonly unknown[]) {
  const link = (n: number) => {
    const url = new URL(request.url, `${request.protocol}://${request.host}`);
    if (n === 1) url.searchParams.delete('page');
    else url.searchParams.set('page', String(n));
    return url.toString();
  };
  return { count, next: page * size < count ? link(page + 1) : null, previous: page > 1 ? link(page - 1) : null, results };
}
