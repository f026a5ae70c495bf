using System.Globalization;
using Dashboard.Backends;
using Dashboard.Security;
using Microsoft.Extensions.Options;

namespace Dashboard.Configuration;

/// <summary>
/// Start-up validation of section <c>Dashboard</c>: every problem is reported at once, each
/// message naming the configuration key to fix, so one failed start tells the whole story.
/// </summary>
public sealed class DashboardOptionsValidator(BackendKindRegistry kinds) : IValidateOptions<DashboardOptions>
{
    private const string Root = DashboardOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, DashboardOptions options)
    {
        var failures = new List<string>();
        ValidateBackends(options.Backends, failures);
        ValidateLimits(options.Limits, failures);
        ValidateDemo(options.Demo, failures);
        ValidateAuth(options.Auth, failures);
        ValidatePublicUrl(options.PublicUrl, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private void ValidateBackends(List<BackendOptions> backends, List<string> failures)
    {
        var firstByName = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < backends.Count; i++)
        {
            var backend = backends[i];
            var prefix = $"{Root}:Backends:{i}";

            if (string.IsNullOrWhiteSpace(backend.Name))
            {
                failures.Add($"{prefix}:Name is required.");
            }
            else if (!BackendNames.IsValid(backend.Name))
            {
                failures.Add($"{prefix}:Name \"{backend.Name}\" may contain only letters, digits, '-', '_' and '.' (it is used in URLs).");
            }
            else if (firstByName.TryGetValue(backend.Name, out var first))
            {
                failures.Add($"{prefix}:Name \"{backend.Name}\" is already used by {Root}:Backends:{first} (names are case-insensitive).");
            }
            else
            {
                firstByName[backend.Name] = i;
            }

            if (backend.MaxConcurrentRuns < 1)
            {
                failures.Add($"{prefix}:MaxConcurrentRuns must be at least 1 (is {backend.MaxConcurrentRuns}).");
            }

            if (backend.StallTimeout is { } stall && stall <= TimeSpan.Zero)
            {
                failures.Add($"{prefix}:StallTimeout must be a positive duration such as 00:00:30 (is {stall}).");
            }

            if (backend.MaxRunDuration is { } maxRun && maxRun <= TimeSpan.Zero)
            {
                failures.Add($"{prefix}:MaxRunDuration must be a positive duration such as 01:00:00 (is {maxRun}).");
            }

            ValidateKind(backend, prefix, failures);
        }
    }

    private void ValidateKind(BackendOptions backend, string prefix, List<string> failures)
    {
        var known = string.Join(", ", kinds.Names.Order(StringComparer.Ordinal));
        if (string.IsNullOrWhiteSpace(backend.Kind))
        {
            failures.Add($"{prefix}:Kind is required; known kinds: {known}.");
            return;
        }

        var kind = kinds.Find(backend.Kind);
        if (kind is null)
        {
            failures.Add($"{prefix}:Kind \"{backend.Kind}\" is unknown; known kinds: {known}.");
            return;
        }

        failures.AddRange(kind.ValidateOptions(backend, prefix));
    }

    private static void ValidateLimits(LimitsOptions limits, List<string> failures)
    {
        Positive(limits.MaxEventBytes, nameof(limits.MaxEventBytes));
        Positive(limits.MaxLineBytes, nameof(limits.MaxLineBytes));
        Positive(limits.InspectorCapacity, nameof(limits.InspectorCapacity));
        Positive(limits.InspectorDataChars, nameof(limits.InspectorDataChars));
        Positive(limits.MaxRuns, nameof(limits.MaxRuns));
        Positive(limits.MaxRunTextChars, nameof(limits.MaxRunTextChars));
        Positive(limits.GraphHistoryPoints, nameof(limits.GraphHistoryPoints));
        Positive(limits.MaxPromptChars, nameof(limits.MaxPromptChars));
        Positive(limits.SubscriberQueueCapacity, nameof(limits.SubscriberQueueCapacity));
        AtLeast(limits.StageMessageBytes, 64, nameof(limits.StageMessageBytes));
        AtLeast(limits.NameBytes, 16, nameof(limits.NameBytes));
        AtLeast(limits.EventIdBytes, 16, nameof(limits.EventIdBytes));
        AtLeast(limits.ToolArgumentsBytes, 64, nameof(limits.ToolArgumentsBytes));
        AtLeast(limits.ToolDetailBytes, 64, nameof(limits.ToolDetailBytes));
        AtLeast(limits.RunBytes, 4096, nameof(limits.RunBytes));
        AtLeast(limits.InspectorBytes, 4096, nameof(limits.InspectorBytes));

        void AtLeast(int value, int minimum, string key)
        {
            if (value < minimum)
            {
                failures.Add($"{Root}:Limits:{key} must be at least {minimum} bytes (is {value}).");
            }
        }

        void Positive(int value, string key)
        {
            if (value <= 0)
            {
                failures.Add($"{Root}:Limits:{key} must be positive (is {value}).");
            }
        }
    }

    private static void ValidateDemo(DemoOptions demo, List<string> failures)
    {
        if (!double.IsFinite(demo.TimeScale) || demo.TimeScale <= 0)
        {
            failures.Add($"{Root}:Demo:TimeScale must be a positive number (is {demo.TimeScale.ToString(CultureInfo.InvariantCulture)}).");
        }
    }

    private static void ValidateAuth(AuthOptions auth, List<string> failures)
    {
        // Same reading as sign-in: a name in any case, empty for the default; never a number.
        var mode = auth.Mode?.Trim() ?? "";
        if (mode.Length > 0 && !Enum.GetNames<DashboardAuthMode>().Contains(mode, StringComparer.OrdinalIgnoreCase))
        {
            failures.Add($"{Root}:Auth:Mode must be {DashboardAuthMode.BrowserToken} or {DashboardAuthMode.Unsecured} (is \"{auth.Mode}\").");
        }

        // The length only: the value is a secret and never goes into a message.
        if (!string.IsNullOrWhiteSpace(auth.Token) && auth.Token.Length < AuthOptions.MinTokenLength)
        {
            failures.Add($"{Root}:Auth:Token must be at least {AuthOptions.MinTokenLength} characters (it has {auth.Token.Length}); leave it empty for a random token per start.");
        }

        if (!string.IsNullOrWhiteSpace(auth.ReadToken))
        {
            if (auth.ReadToken.Length < AuthOptions.MinTokenLength)
            {
                failures.Add($"{Root}:Auth:ReadToken must be at least {AuthOptions.MinTokenLength} characters (it has {auth.ReadToken.Length}).");
            }
            else if (string.Equals(auth.ReadToken, auth.Token, StringComparison.Ordinal))
            {
                failures.Add($"{Root}:Auth:ReadToken must differ from {Root}:Auth:Token.");
            }
        }

        if (auth.SessionLifetime <= TimeSpan.Zero)
        {
            failures.Add($"{Root}:Auth:SessionLifetime must be a positive duration such as 12:00:00 (is {auth.SessionLifetime}).");
        }

        if (auth.FailedAuthLimit < 1)
        {
            failures.Add($"{Root}:Auth:FailedAuthLimit must be at least 1 (is {auth.FailedAuthLimit}).");
        }

        if (auth.FailedAuthWindow <= TimeSpan.Zero)
        {
            failures.Add($"{Root}:Auth:FailedAuthWindow must be a positive duration such as 00:01:00 (is {auth.FailedAuthWindow}).");
        }
    }

    private static void ValidatePublicUrl(string? publicUrl, List<string> failures)
    {
        if (publicUrl is null)
        {
            return;
        }

        if (!Uri.TryCreate(publicUrl, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || uri.Host.Length == 0)
        {
            failures.Add($"{Root}:PublicUrl must be an absolute http or https URL such as https://dash.example/ (is \"{publicUrl}\").");
        }
    }
}
