using Dashboard.Backends.Codegen;
using Dashboard.Backends.OpenAiChat;
using Dashboard.Ingest;

namespace Dashboard.Benchmarks.Ingest;

/// <summary>Benchmark 1's streams: codegen progress events, or OpenAI chat chunks of one token each.</summary>
public enum IngestWorkload
{
    Codegen,
    OpenAiChatTokens,
}

public static class IngestWorkloads
{
    /// <summary>A new decoder for one stream of the workload (decoders keep per-stream state).</summary>
    public static IStreamDecoder NewDecoder(this IngestWorkload workload) =>
        workload == IngestWorkload.Codegen ? new CodegenDecoder() : new OpenAiChatDecoder();
}
