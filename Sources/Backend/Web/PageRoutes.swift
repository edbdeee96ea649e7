import Hummingbird

/// The pages' routes, grouped by who may call them; each page controller adds its own.
struct PageRoutes {
    /// Anyone: the login form, and `/`.
    let anyone: any RouterMethods<AppRequestContext>
    /// Any logged-in user, a viewer too.
    let users: any RouterMethods<AppRequestContext>
    /// Forms that change something: an admin's session only.
    let admins: any RouterMethods<AppRequestContext>
}
