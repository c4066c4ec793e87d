using System.Diagnostics;
using OpenTelemetry.Trace;

namespace TenantAtlas.ServiceDefaults;

/// <summary>
/// Drops client spans that start a trace of their own: the relay's and the workers' polls, health-check PINGs and
/// SELECT 1s, a dozen a second that would bury the runs' traces in the dashboard. Client calls made while handling a
/// request or a job have a parent and are kept with it (the parent-based sampler decides those).
/// </summary>
public sealed class BackgroundClientSpanSampler : Sampler
{
    private static readonly SamplingResult Drop = new(SamplingDecision.Drop);
    private static readonly SamplingResult Keep = new(SamplingDecision.RecordAndSample);

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
        samplingParameters.Kind == ActivityKind.Client ? Drop : Keep;

    /// <summary>Root spans go through this sampler; child spans follow their parent's decision.</summary>
    public static Sampler ParentBased() => new ParentBasedSampler(new BackgroundClientSpanSampler());
}
