namespace TenantAtlas.Testing;

/// <summary>Polling for something that happens asynchronously, with a deadline that fails the test (never a silent return).</summary>
public static class Eventually
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Calls <paramref name="probe"/> until <paramref name="done"/> holds for its value and returns that value; throws
    /// <see cref="TimeoutException"/> naming <paramref name="what"/> and the last value (or error) when
    /// <paramref name="within"/> passes first. Exceptions of the probe count as "not yet".
    /// </summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan within, string what)
    {
        var deadline = DateTime.UtcNow + within;
        var last = "no answer yet";
        while (true)
        {
            try
            {
                var value = await probe();
                if (done(value))
                {
                    return value;
                }
                last = $"last value: {value}";
            }
            catch (Exception e) when (e is not TimeoutException)
            {
                last = $"last error: {e.GetType().Name}: {e.Message}";
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Not within {within.TotalSeconds:0.#} s: {what} ({last}).");
            }
            await Task.Delay(Interval);
        }
    }
}
