using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Npgsql;

namespace Dashboard.Storage.Postgres;

/// <summary>
/// The ASP.NET Core Data Protection key ring in the shared PostgreSQL database (table
/// <c>data_protection_keys</c>, made by the store's own migrations): every replica reads the keys
/// any replica made, so a sign-in cookie one replica issued is accepted by all of them. The keys
/// are secrets: nothing here logs or shows one. The store is opened (and migrated) on first use,
/// so the table exists before it is read.
/// </summary>
internal sealed class PostgresXmlRepository(Func<NpgsqlDataSource> data) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var command = data().CreateCommand("SELECT xml FROM data_protection_keys ORDER BY id;");
        using var reader = command.ExecuteReader();
        var elements = new List<XElement>();
        while (reader.Read())
        {
            elements.Add(XElement.Parse(reader.GetString(0)));
        }

        return elements;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        using var command = data().CreateCommand("INSERT INTO data_protection_keys(name, xml) VALUES ($1, $2);");
        command.Parameters.Add(new NpgsqlParameter { Value = friendlyName ?? "" });
        command.Parameters.Add(new NpgsqlParameter { Value = element.ToString(SaveOptions.DisableFormatting) });
        command.ExecuteNonQuery();
    }
}
