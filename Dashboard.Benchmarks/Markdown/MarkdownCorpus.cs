using System.Text;

namespace Dashboard.Benchmarks.Markdown;

/// <summary>
/// A deterministic Markdown answer of a given size with what LLM answers contain: headings,
/// paragraphs with inline code and emphasis, bullet and numbered lists, pipe tables, fenced code and
/// quotes. It ends with <see cref="EndMarker"/>, so a page can tell the whole answer is shown.
/// </summary>
public static class MarkdownCorpus
{
    public const string EndMarker = "END-OF-ANSWER";

    public static string Build(int kilobytes)
    {
        var target = kilobytes * 1024;
        var text = new StringBuilder(target + 1024);
        for (var section = 1; text.Length < target - 64; section++)
        {
            text.Append("## Step ").Append(section).Append(": update the `OrderService`\n\n")
                .Append("The **iteration** changes `OrderService.Place` so that an order with *no items* is rejected before the ")
                .Append("payment call. This keeps the ledger consistent and makes the failure visible to the caller.\n\n")
                .Append("- validate the cart (section ").Append(section).Append(")\n")
                .Append("- reserve stock, then charge\n")
                .Append("- publish `OrderPlaced` only after the commit\n\n")
                .Append("| file | change | lines |\n|---|---|---:|\n")
                .Append("| `orders/service.py` | reject empty carts | ").Append(12 + (section % 7)).Append(" |\n")
                .Append("| `orders/tests/test_service.py` | new test | ").Append(30 + (section % 5)).Append(" |\n\n")
                .Append("```python\n")
                .Append("def place(self, cart: Cart) -> Order:\n")
                .Append("    if not cart.items:\n")
                .Append("        raise EmptyCartError(cart.id)\n")
                .Append("    with self.uow:\n")
                .Append("        order = Order.from_cart(cart)\n")
                .Append("        self.repo.add(order)\n")
                .Append("    return order\n")
                .Append("```\n\n")
                .Append("1. run the tests\n2. check the migration\n3. deploy behind the flag\n\n")
                .Append("> Note: step ").Append(section).Append(" is safe to roll back.\n\n");
        }

        text.Append(EndMarker).Append('\n');
        return text.ToString();
    }

    /// <summary>The text cut into 2–8-character deltas (seeded: every run and arm gets the same cuts).</summary>
    public static IReadOnlyList<string> Deltas(string text, int seed = 7)
    {
        ArgumentNullException.ThrowIfNull(text);
        var random = new Random(seed);
        var deltas = new List<string>(text.Length / 4);
        for (var i = 0; i < text.Length;)
        {
            var length = Math.Min(text.Length - i, random.Next(2, 9));
            deltas.Add(text.Substring(i, length));
            i += length;
        }

        return deltas;
    }
}
