// Out-of-memory errors that name the batch size (moved to src/core/memory.ts; also used by predict and gradcam).
export { explainMemoryError } from '../core/memory.js';
