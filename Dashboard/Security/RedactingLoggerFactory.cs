using System.Collections;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Dashboard.Security;

/// <summary>
/// The redaction boundary in front of the logs: every logger of the app's own categories
/// (<c>Dashboard.*</c>, where upstream answers, errors and URLs are logged) masks every secret in
/// the message, its values and its exception before any provider sees them, so a log call never
/// has to remember to redact. Framework categories are left as they are: they log requests, not
/// upstream data, and the one that logs request URLs is pinned by <see cref="RequestUrlLogging"/>.
/// </summary>
public sealed class RedactingLoggerFactory(ILoggerFactory inner, SecretRedactor secrets) : ILoggerFactory
{
    public const string AppCategoryPrefix = "Dashboard.";

    public ILogger CreateLogger(string categoryName)
    {
        var logger = inner.CreateLogger(categoryName);
        return categoryName.StartsWith(AppCategoryPrefix, StringComparison.Ordinal) ? new RedactingLogger(logger, secrets) : logger;
    }

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose() => inner.Dispose();

    private sealed class RedactingLogger(ILogger inner, SecretRedactor secrets) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!inner.IsEnabled(logLevel))
            {
                return;
            }

            var redacted = new RedactedState(secrets.Redact(formatter(state, exception)), Values(state));
            inner.Log(logLevel, eventId, redacted, exception is null ? null : new RedactedException(exception, secrets), static (s, _) => s.Message);
        }

        private List<KeyValuePair<string, object?>> Values<TState>(TState state)
        {
            var values = new List<KeyValuePair<string, object?>>();
            if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
            {
                foreach (var (key, value) in pairs)
                {
                    values.Add(new(key, key == "{OriginalFormat}" ? value : Redact(value)));
                }
            }

            return values;
        }

        // Numbers, flags, times and enums carry no secret and stay typed for structured sinks.
        private object? Redact(object? value) => value switch
        {
            null => null,
            string text => secrets.Redact(text),
            bool or byte or short or int or long or float or double or decimal or DateTime or DateTimeOffset or TimeSpan or Guid or Enum => value,
            _ => secrets.Redact(value.ToString()),
        };
    }

    /// <summary>Structured state whose values and message are already redacted.</summary>
    private sealed class RedactedState(string message, List<KeyValuePair<string, object?>> values) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public string Message { get; } = message;

        public int Count => values.Count;

        public KeyValuePair<string, object?> this[int index] => values[index];

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => values.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => Message;
    }

    /// <summary>Stands in for a logged exception: same type name and stack, message and text redacted.</summary>
    private sealed class RedactedException(Exception original, SecretRedactor secrets)
        : Exception(secrets.Redact(original.Message))
    {
        public override string? StackTrace => original.StackTrace;

        public override string ToString() => secrets.Redact(original.ToString());
    }
}

public static class RedactingLoggerFactoryServiceCollectionExtensions
{
    /// <summary>Puts <see cref="RedactingLoggerFactory"/> in front of the logger factory (whatever providers are added later).</summary>
    public static IServiceCollection AddLogRedaction(this IServiceCollection services)
    {
        services.TryAddSingleton<SecretRedactor>();
        services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(sp => new RedactingLoggerFactory(
            new LoggerFactory(
                sp.GetServices<ILoggerProvider>(),
                sp.GetRequiredService<IOptionsMonitor<LoggerFilterOptions>>(),
                sp.GetService<IOptions<LoggerFactoryOptions>>(),
                sp.GetService<IExternalScopeProvider>()),
            sp.GetRequiredService<SecretRedactor>())));
        return services;
    }
}
