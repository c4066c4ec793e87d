using Microsoft.Extensions.Logging;

namespace TenantAtlas.Workers;

public sealed partial class RunWorker
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {Consumer} reading {Stream} ({Concurrency} at a time) for {RunTypes}")]
    private static partial void LogStarted(ILogger logger, string consumer, string stream, int concurrency, string runTypes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A call to Redis failed; retrying")]
    private static partial void LogReadFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Entry {EntryId} could not be processed; it stays pending for a retry")]
    private static partial void LogProcessFailed(ILogger logger, Exception exception, string entryId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A cancel observer failed for run {RunId}")]
    private static partial void LogCancelObserverFailed(ILogger logger, Exception exception, string runId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shutdown: {Count} in-flight runs released to other consumers")]
    private static partial void LogReleasedOnShutdown(ILogger logger, int count);
}
