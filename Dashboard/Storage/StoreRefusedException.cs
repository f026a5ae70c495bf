using Dashboard.Domain;

namespace Dashboard.Storage;

/// <summary>
/// The history store cannot be used as configured. The message is one line naming the file and
/// the configuration key to change; start-up stops (exit code 1) and the file is left untouched.
/// </summary>
public sealed class StoreRefusedException(string message, Exception? inner = null) : StartupRefusedException(message, inner);
