/**
 * A minimal OTLP/gRPC trace client, as linkerd2-proxy speaks to a collector: one unary call of
 * `opentelemetry.proto.collector.trace.v1.TraceService/Export` over HTTP/2 (cleartext: inside the
 * mesh the proxies encrypt the connection), the ExportTraceServiceRequest encoded by hand from
 * the field numbers of opentelemetry-proto's trace.proto, resource.proto and common.proto. No
 * dependency: Node's http2 and a dozen lines of protobuf wire format.
 */
import { randomBytes } from 'node:crypto';
import { connect } from 'node:http2';

// ---- protobuf wire format: varints, length-delimited fields, fixed64 ------------------------

function varint(n: bigint): Buffer {
  const out: number[] = [];
  do {
    let b = Number(n & 0x7fn);
    n >>= 7n;
    if (n > 0n) b |= 0x80;
    out.push(b);
  } while (n > 0n);
  return Buffer.from(out);
}
const tag = (field: number, wire: 0 | 1 | 2) => varint(BigInt((field << 3) | wire));
const bytesField = (field: number, value: Buffer) => Buffer.concat([tag(field, 2), varint(BigInt(value.length)), value]);
const stringField = (field: number, value: string) => bytesField(field, Buffer.from(value, 'utf8'));
const varintField = (field: number, value: number) => Buffer.concat([tag(field, 0), varint(BigInt(value))]);
function fixed64Field(field: number, value: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(value);
  return Buffer.concat([tag(field, 1), b]);
}

/** An attribute value as the proxy sets them: strings, and integers (process.pid, process.start_timestamp). */
export type AttributeValue = string | number;

/** common.v1.KeyValue { key = 1; value = 2 (AnyValue { string_value = 1; int_value = 3 }) }. */
const keyValue = (key: string, value: AttributeValue) =>
  Buffer.concat([stringField(1, key), bytesField(2, typeof value === 'number' ? varintField(3, value) : stringField(1, value))]);

export interface Span {
  traceId: Buffer;
  spanId: Buffer;
  /** The caller's span (the proxy never starts a trace: it continues the one the request carries). */
  parentSpanId?: Buffer;
  name: string;
  /** Attributes of the span itself (the proxy sets HTTP request attributes). */
  attributes: Record<string, string>;
}

/** A new span with random IDs, started a second ago and just ended, of kind SERVER (as an inbound proxy span). */
export function newSpan(name: string, attributes: Record<string, string> = {}): Span {
  return { traceId: randomBytes(16), spanId: randomBytes(8), name, attributes };
}

/**
 * ExportTraceServiceRequest { resource_spans = 1 } for resources (their attributes) and their
 * spans. The instrumentation scope is empty unless named: linkerd2-proxy leaves it unset.
 */
export function exportRequest(resources: { resource: Record<string, AttributeValue>; spans: Span[] }[], scope = ''): Buffer {
  const end = BigInt(Date.now()) * 1_000_000n;
  const span = (s: Span) =>
    Buffer.concat([
      bytesField(1, s.traceId), // trace_id
      bytesField(2, s.spanId), // span_id
      ...(s.parentSpanId ? [bytesField(4, s.parentSpanId)] : []), // parent_span_id
      stringField(5, s.name), // name
      varintField(6, 2), // kind = SPAN_KIND_SERVER
      fixed64Field(7, end - 1_000_000_000n), // start_time_unix_nano
      fixed64Field(8, end), // end_time_unix_nano
      ...Object.entries(s.attributes).map(([k, v]) => bytesField(9, keyValue(k, v))), // attributes
    ]);
  const resourceSpans = ({ resource, spans }: { resource: Record<string, AttributeValue>; spans: Span[] }) => {
    const resourceMsg = Buffer.concat(Object.entries(resource).map(([k, v]) => bytesField(1, keyValue(k, v)))); // Resource.attributes = 1
    const scopeMsg = scope ? stringField(1, scope) : Buffer.alloc(0); // InstrumentationScope.name = 1
    const scopeSpans = Buffer.concat([bytesField(1, scopeMsg), ...spans.map((s) => bytesField(2, span(s)))]); // scope = 1, spans = 2
    return Buffer.concat([bytesField(1, resourceMsg), bytesField(2, scopeSpans)]); // resource = 1, scope_spans = 2
  };
  return Buffer.concat(resources.map((r) => bytesField(1, resourceSpans(r))));
}

/**
 * Sends one ExportTraceServiceRequest to `host:port`; resolves once the server answered with
 * grpc-status 0, rejects with the status and message otherwise.
 */
export function exportTraces(target: string, request: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const session = connect(`http://${target}`);
    session.on('error', reject);
    const frame = Buffer.alloc(5);
    frame.writeUInt8(0, 0); // not compressed
    frame.writeUInt32BE(request.length, 1);
    const stream = session.request({
      ':method': 'POST',
      ':path': '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    let status: string | undefined;
    let message = '';
    const take = (h: Record<string, unknown>) => {
      if (h['grpc-status'] !== undefined) status = String(h['grpc-status']);
      if (h['grpc-message'] !== undefined) message = decodeURIComponent(String(h['grpc-message']));
    };
    stream.on('response', take);
    stream.on('trailers', take);
    stream.on('data', () => undefined);
    stream.on('error', (e) => {
      session.close();
      reject(e);
    });
    stream.on('end', () => {
      session.close();
      if (status === '0') resolve();
      else reject(new Error(`OTLP export to ${target} failed: grpc-status ${status ?? '(none)'} ${message}`));
    });
    stream.end(Buffer.concat([frame, request]));
  });
}
