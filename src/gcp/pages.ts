/** Google's list pagination (`pageToken` / `nextPageToken`) as a stream of pages. */
import { withBackoff } from './backoff.js';

/** Page after page of a Google list call, each fetched with backoff; stops at the last page. */
export async function* pages<T>(
  fetchPage: (pageToken: string | undefined) => Promise<{ items?: T[]; nextPageToken?: string }>,
): AsyncGenerator<T[]> {
  let token: string | undefined;
  do {
    const page = await withBackoff(() => fetchPage(token));
    yield page.items ?? [];
    token = page.nextPageToken || undefined;
  } while (token);
}
