using Dashboard.Configuration;
using Microsoft.Extensions.Configuration;

namespace Dashboard.Components.Forms;

/// <summary>
/// Sizes the prompt field and the circuit's incoming message limit from the API's own prompt limit
/// (<c>Dashboard:Limits:MaxPromptChars</c>), so the form accepts everything the API accepts and
/// shows the limit's message beyond it instead of losing the circuit (32 KB by default).
/// </summary>
public static class PromptLimits
{
    /// <summary>Room for every JSON envelope around the field's value.</summary>
    private const long Envelope = 64 * 1024;

    /// <summary>
    /// What the field lets the user type or paste: twice the API's limit, so an over-long prompt
    /// reaches the validator and is named ("it has 150,000") rather than silently cut.
    /// </summary>
    public static int FieldMaxLength(int maxPromptChars) => (int)Math.Min(int.MaxValue / 8, (long)maxPromptChars * 2);

    /// <summary>
    /// The circuit's <c>MaximumReceiveMessageSize</c>: the longest field value in the worst JSON
    /// encoding (6 bytes a character for an escaped control character), plus the envelope.
    /// </summary>
    public static long ReceiveMessageSize(int maxPromptChars) => (long)FieldMaxLength(maxPromptChars) * 6 + Envelope;

    /// <summary>Reads the configured limit as options binding would (default when unset or not a number).</summary>
    public static long ReceiveMessageSize(IConfiguration configuration)
    {
        var limits = new LimitsOptions();
        configuration.GetSection($"{DashboardOptions.SectionName}:{nameof(DashboardOptions.Limits)}").Bind(limits, o => o.ErrorOnUnknownConfiguration = false);
        return ReceiveMessageSize(limits.MaxPromptChars > 0 ? limits.MaxPromptChars : new LimitsOptions().MaxPromptChars);
    }
}
