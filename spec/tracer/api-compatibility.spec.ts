import apiCompatibilityChecks from 'opentracing/lib/test/api_compatibility';
import { InMemoryRecorder, Tracer } from '../../lib';

// opentracing's own conformance checks, baggage and inject/extract included.
apiCompatibilityChecks(() => new Tracer({ serviceName: 'api-compat', recorder: new InMemoryRecorder() }), {
  skipBaggageChecks: false,
  skipInjectExtractChecks: false,
});
