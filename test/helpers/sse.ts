/** One Server-Sent Event as a browser's EventSource would dispatch it. */
export type SseEvent = { event: string; data: string; id: string | undefined };

export type SseStream = {
  response: Response;
  /** Events in arrival order; ends when the server closes the stream (or `close` is called). */
  events: AsyncGenerator<SseEvent>;
  /** Comment lines seen so far (`: ping` heartbeats), without the colon. */
  comments: string[];
  close(): void;
};

/** Opens `url` with fetch and parses the body as an event stream (the subset of the spec servers use). */
export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  const abort = new AbortController();
  const response = await fetch(url, {
    headers: { accept: 'text/event-stream', ...headers },
    signal: abort.signal,
  });
  const comments: string[] = [];
  return {
    response,
    events: parseEvents(response, comments, abort.signal),
    comments,
    close: () => abort.abort(),
  };
}

/** Reads events until `stop` says so (that event included) or the stream ends, then closes it. */
export async function readSse(stream: SseStream, stop: (event: SseEvent) => boolean = () => false) {
  const events: SseEvent[] = [];
  for await (const event of stream.events) {
    events.push(event);
    if (stop(event)) break;
  }
  stream.close();
  return events;
}

async function* parseEvents(
  response: Response,
  comments: string[],
  signal: AbortSignal,
): AsyncGenerator<SseEvent> {
  if (!response.body) return;
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true }).replace(/\r\n?/g, '\n');
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const event = parseBlock(buffer.slice(0, end), comments);
        buffer = buffer.slice(end + 2);
        if (event) yield event;
        end = buffer.indexOf('\n\n');
      }
    }
  } catch (error) {
    if (!signal.aborted) throw error;
  }
}

function parseBlock(block: string, comments: string[]): SseEvent | undefined {
  let event = 'message';
  let id: string | undefined;
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) {
      comments.push(line.slice(1).trim());
      continue;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id') id = value;
  }
  return data.length === 0 ? undefined : { event, id, data: data.join('\n') };
}
