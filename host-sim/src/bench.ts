// npm run bench (placeholder until the kernels land).
console.log("no benchmarks yet");
