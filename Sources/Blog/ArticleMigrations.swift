import GRDB

/// The schema, as GRDB migrations. The table keeps Django's name
/// (`blog_article`) and `AUTOINCREMENT`, so ids are never reused after a delete.
/// Dates are stored as integer microseconds since 1970 (UTC).
public enum ArticleMigrations {
    public static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("0001_initial") { db in
            try db.execute(sql: """
                CREATE TABLE blog_article (
                    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
                    title VARCHAR(20) NOT NULL,
                    content VARCHAR(255) NOT NULL,
                    date INTEGER NOT NULL,
                    image VARCHAR(100) NULL
                )
                """)
        }
        return migrator
    }
}
